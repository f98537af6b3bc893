"""Letting: ranking waiting lists, the letting ledger, offers and referral limits.

Each concept has its own module; the public names are re-exported here and from
:mod:`fuaalborg`.
"""

__all__: list[str] = []
