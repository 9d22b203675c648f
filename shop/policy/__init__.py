"""The policy engine: the shop's rules as pure functions of (order, shop profile, now)."""
