"""For scrapyd-deploy, which builds eggs with ``python setup.py bdist_egg``.

Everything is declared in pyproject.toml; without this file scrapyd-deploy would write a
setup.py of its own that packs every folder (tests, fixtures) and no package data.
"""

from setuptools import setup

setup()
