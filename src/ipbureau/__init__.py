"""ipbureau: the Tianjin intellectual-property bureau's work and public-service platform."""

__version__ = "0.1.0"
