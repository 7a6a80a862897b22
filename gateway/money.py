"""How amounts of đồng are written for people: a dot between thousands (1.250.000)."""


def digits(amount: int) -> str:
    """Write a whole number with dots between thousands, as Vietnamese amounts are written."""
    return f"{amount:,}".replace(",", ".")
