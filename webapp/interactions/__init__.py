"""The agent's interaction screen, campaign management and the offer-rate report (TEL-1..10)."""
