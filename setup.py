"""Packaging for cert_plugin, an Open edX plugin app for certificates."""
import glob
import os
import shutil
import subprocess

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


def _read(path):
    with open(os.path.join(os.path.dirname(__file__), path), encoding="utf-8") as fh:
        return fh.read()


def _requirements(path):
    """Read a pip requirements file, ignoring comments, -r/-c lines and blanks."""
    lines = (line.split("#", 1)[0].strip() for line in _read(path).splitlines())
    return [line for line in lines if line and not line.startswith("-")]


class BuildPyWithCatalogues(build_py):
    """Compile the committed .po catalogues into .mo inside the built package (the .mo are not committed).

    Needs GNU gettext's msgfmt; without it the wheel still builds, in English only. An editable
    install compiles nothing here: `make setup` runs compilemessages in the source tree.
    """

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        msgfmt = shutil.which("msgfmt")
        pattern = os.path.join(self.build_lib, "cert_plugin", "locale", "*", "LC_MESSAGES", "*.po")
        for po in glob.glob(pattern):
            if msgfmt is None:
                self.warn(f"msgfmt not found (Debian package gettext): {po} is not compiled")
                continue
            subprocess.run([msgfmt, "--check", "-o", po[:-3] + ".mo", po], check=True)


setup(
    name="cert-plugin",
    version="0.1.0",
    description="Certificates for Open edX: requirements, PDF/PNG with QR, verification, signing.",
    long_description=_read("README.md"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    packages=find_packages(include=["cert_plugin", "cert_plugin.*"]),
    include_package_data=True,
    package_data={"cert_plugin": ["py.typed", "templates/**/*", "static/**/*", "locale/**/*",
                                  "credentials/contexts/*"]},
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
    cmdclass={"build_py": BuildPyWithCatalogues},
    zip_safe=False,
)
