DROP TABLE training_shares;
DROP TABLE catchup_plans;
DROP TABLE material_progress;
DROP TABLE materials;
DROP TABLE attendance;
DROP TABLE session_audience;
DROP TABLE training_sessions;
