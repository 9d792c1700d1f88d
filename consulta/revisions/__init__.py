"""Revision and traceability: pillar co-leads revise their recommendations, link the feedback
that motivated each revision, or keep the text with a reason ("what we heard / what changed")."""
