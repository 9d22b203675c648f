"""Production deployment: configs rendered for scripts/serve.sh, units, image, manifests."""
