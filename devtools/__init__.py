"""The development harness: the product's own processes (Rasa, the action server, the desk,
PostgreSQL, Redis) started on free loopback ports, the NLU evaluation and the fuzzing campaigns.

Shared by the tests and the scripts (benchmarks, evaluation, fuzzing), so that scripts never import
the tests; the product itself (shop, desk, actions, bot) never imports it.
"""
