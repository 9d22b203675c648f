"""Rasa training data (bot/data), the project's own NLU components and Rasa speed fixes.

Rasa imports this package when it loads a model (the pipeline names ``bot.*`` components), so
the fixes of ``bot.rasa_speedups`` are in place in every process that serves the model.
"""

from bot import rasa_speedups

rasa_speedups.apply()
