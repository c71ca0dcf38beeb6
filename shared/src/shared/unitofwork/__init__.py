"""One unit of work for every write path: claim the inbound events, load, decide,
append, commit, retried under one policy (:data:`RETRY`).

The protocol and the policy are here; the PostgreSQL unit is in
:mod:`shared.unitofwork.postgres`, the in-memory fake in :mod:`shared.unitofwork.memory`.
"""

from shared.unitofwork.ports import Claim, UnitOfWork, UnitsOfWork
from shared.unitofwork.retry import RETRY, RetryPolicy

__all__ = ["RETRY", "Claim", "RetryPolicy", "UnitOfWork", "UnitsOfWork"]
