DROP TABLE coverage_generations;
