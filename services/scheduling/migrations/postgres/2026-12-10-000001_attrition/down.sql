DROP TABLE attrition_spells;
