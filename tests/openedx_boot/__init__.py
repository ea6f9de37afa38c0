"""The plugin booting inside LMS and Studio settings built the way Open edX builds them."""
