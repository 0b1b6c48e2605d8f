"""Package layout only (metadata is in pyproject.toml): every ``reportc*`` package, plus
the default theme. The theme lives in the repository's top-level ``templates/`` (the layout
every report repository shares) and ships inside the package as ``reportc.theme``, mapped
with ``package_dir``; pyproject.toml cannot both discover packages and add a mapped one."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["reportc", "reportc.*"]), "reportc.theme"],
    package_dir={"reportc.theme": "templates"},
)
