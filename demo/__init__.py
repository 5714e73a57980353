"""The demo region: a realistic data set loaded through the services' own HTTP APIs (``communitylab demo``)."""
