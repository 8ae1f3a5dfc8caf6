"""The in-app bell: a member's delivered in-app notifications, unread count and read marks."""
