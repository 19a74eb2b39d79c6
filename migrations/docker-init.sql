-- docker-compose: one Postgres, a database per service (each runs its own migrations).
create database chirp;
create database warble;
create database site;
