"""The partner portal (CPB-1..10): what a partner organisation's people work every morning, and
the agency's view of how each organisation keeps its clocks."""
