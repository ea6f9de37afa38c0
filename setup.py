"""Packaging for cert_plugin, an Open edX plugin app for certificates."""
import os

from setuptools import find_packages, setup


def _read(path):
    with open(os.path.join(os.path.dirname(__file__), path), encoding="utf-8") as fh:
        return fh.read()


def _requirements(path):
    """Read a pip requirements file, ignoring comments, -r/-c lines and blanks."""
    lines = (line.split("#", 1)[0].strip() for line in _read(path).splitlines())
    return [line for line in lines if line and not line.startswith("-")]


setup(
    name="cert-plugin",
    version="0.1.0",
    description="Certificates for Open edX: requirements, PDF/PNG with QR, verification, signing.",
    long_description=_read("README.md"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    packages=find_packages(include=["cert_plugin", "cert_plugin.*"]),
    include_package_data=True,
    package_data={"cert_plugin": ["py.typed", "templates/**/*", "static/**/*", "locale/**/*"]},
    python_requires=">=3.11",
    install_requires=_requirements("requirements/base.in"),
    extras_require={"test": _requirements("requirements/test.in")},
    entry_points={
        "lms.djangoapp": ["cert_plugin = cert_plugin.apps:CertPluginConfig"],
        "cms.djangoapp": ["cert_plugin = cert_plugin.apps:CertPluginConfig"],
        "openedx.course_tab": ["cert_plugin_certificates = cert_plugin.course_tab:CertificatesCourseTab"],
        "xblock.v1": ["cert_progress = cert_plugin.xblocks.progress:CertificateProgressBlock"],
    },
    classifiers=[
        "Framework :: Django",
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
    zip_safe=False,
)
