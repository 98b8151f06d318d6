"""caspian: energy-network optimisation of the Caspian gas and green-electricity corridors to Europe."""

__version__ = "0.1.0"
