"""The REST API for MFEs and integrators, versioned."""
