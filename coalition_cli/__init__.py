"""coalition: draft shared principles and consult a coalition's members on them,
with signed comments kept in an ordinary git repository."""

__version__ = "0.1.0"
