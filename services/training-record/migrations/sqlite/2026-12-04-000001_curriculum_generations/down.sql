DROP TABLE curriculum_generations;
