"""reportc's version, in a module of its own at the bottom of the package: the cache keys
and the build's stamp read it without importing ``reportc`` itself (which imports the
build, which imports them)."""

__version__ = "0.1.0"
