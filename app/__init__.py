"""mxdoctor: deterministic checks and cited explanations for Haraka + WildDuck mail servers."""
__version__ = "0.1.0"
