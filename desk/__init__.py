"""The desk: the website chat widget's gateway, the agent console and the dashboard.

It owns every conversation (bot or human mode), relays shopper messages to Rasa's REST channel
while the bot has the conversation, and shows agents what the bot understood and decided.
"""
