"""Consultation definition files: one YAML or JSON document describing a whole consultation.

`schema` checks a document and names every problem by its path (Django-free); `loader` writes a
checked definition through the apps' actions; `exporter` writes a consultation back out.
"""
