"""Everything that talks to the Kubernetes API: the only package that imports the official client;
one handler per verb, discovery, error translation and the reusable list+watch."""
