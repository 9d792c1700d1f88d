"""Consulta: stakeholder consultations on draft policy recommendations."""
