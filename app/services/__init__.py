"""Services own queries and rules. They flush; only the unit of work commits."""
