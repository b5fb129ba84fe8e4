"""The Telegram front end: PTB Application (app.py), handlers (handlers/), HTML and keyboards
(render.py), flood control (flood.py); what the browsing commands list is bot/kb/listing.py. See
docs/telegram.md."""
