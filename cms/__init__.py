"""CMS: the blog and navigation page trees editors run from the Wagtail admin."""
