"""The three communitylab services (registry, workshops, reporting) and the command line that runs them."""
