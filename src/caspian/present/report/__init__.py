"""Run and sweep reports: figures, tables, and the HTML/Markdown files that hold them."""
