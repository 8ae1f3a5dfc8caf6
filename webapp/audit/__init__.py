"""The workspace's Audit page (ALL-3): every change, by whom, filtered, paged, exported."""
