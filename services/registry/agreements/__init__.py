"""Programme agreements (accordi di programma): dated documents between organisations of a district."""
