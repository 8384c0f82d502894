module hrmlab

go 1.26.8
