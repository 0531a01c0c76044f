"""Numbers the stack can read: Prometheus rules have no literal for NaN, and `> inf` never fires."""

from typing import Annotated

from pydantic import AllowInfNan, StrictFloat, StrictInt

FiniteFloat = Annotated[float, AllowInfNan(False)]
"""A float that is neither infinite nor NaN."""
Finite = StrictInt | Annotated[StrictFloat, AllowInfNan(False)]
"""An int, or a finite float (1e309 reads as inf: refused)."""
