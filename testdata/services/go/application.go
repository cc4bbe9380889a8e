// Command application is the sample on Beanstalk's Go platform, which builds
// application.go into the binary "application" and runs it on PORT (5000).
package main

import (
	"encoding/json"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"backend": os.Getenv("BACKEND_NAME"), "version": os.Getenv("BACKEND_VERSION")})
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "5000"
	}
	_ = http.ListenAndServe(":"+port, nil)
}
