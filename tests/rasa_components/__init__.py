"""Tests of the bot's Rasa components, stores and fixes: they import Rasa (TensorFlow, spaCy), so
they load in seconds, not milliseconds, and stay out of `make test-fast`; no server, no training."""
