"""知识产权优势/示范企业培育: the scoring model, the applications and their review (workflows.ASSESSMENT), the
IP management items the score reads."""
