"""Every query over our tables, one module per aggregate. Callers pass a Connection
(or an Engine, for a unit of work that commits); nothing here reads the clock or config."""
