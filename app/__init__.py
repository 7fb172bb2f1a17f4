"""Network Compass: the web and command-line shell around the decision core."""

__version__ = "0.1.0"
