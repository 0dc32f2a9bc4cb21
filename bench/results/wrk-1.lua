wrk.headers["X-SdAgones-Dev-User"] = "bench-hot"
wrk.headers["Accept"] = "application/json"
