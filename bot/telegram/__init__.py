"""The Telegram front end: PTB Application (app.py), handlers (handlers/), HTML and keyboards
(render.py), browsing lists (listing.py), flood control (flood.py). See docs/telegram.md."""
