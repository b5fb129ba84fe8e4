"""Editing the knowledge files from Telegram: adding a sample question without disturbing the file's
layout (phrasing.py), validating a candidate file beside the live ones and replacing it atomically
with a backup (files.py), grouping the questions an admin reviews (review.py).

No Telegram here; bot/telegram/curation.py drives these and swaps the index through the reload path.
"""
