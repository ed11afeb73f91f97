"""The Telegram channel: everything that speaks python-telegram-bot (the application, its
handlers, the durable intake, the replicas, the courier, the timer of the scheduled work)."""
