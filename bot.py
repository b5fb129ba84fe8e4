"""Entry point shim: all logic lives in the bot package (see bot/cli.py)."""

from bot.cli import main

if __name__ == "__main__":
    main()
