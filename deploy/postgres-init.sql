-- One database per service: no table is shared between services.
CREATE DATABASE continuity_staffing;
CREATE DATABASE continuity_training_record;
CREATE DATABASE continuity_process_change;
CREATE DATABASE continuity_scheduling;
