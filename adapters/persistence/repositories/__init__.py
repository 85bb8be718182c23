"""SQL repositories, one module per aggregate; they run on the unit of work's connection."""
