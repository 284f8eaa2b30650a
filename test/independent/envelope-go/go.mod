module exkey.io/envelope-go

go 1.22
