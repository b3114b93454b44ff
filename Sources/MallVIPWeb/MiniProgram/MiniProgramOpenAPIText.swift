/// The text of /api/m/v1/openapi.json (MiniProgramOpenAPI). Paths are relative to the server `/api/m/v1`. A part that
/// adds a route adds its path here (22c: /subscriptions); MiniProgramAPITests checks every registered route is in it.
enum MiniProgramOpenAPIText {
    static let document = #"""
{
 "openapi": "3.0.3",
 "info": {
  "title": "MallVIP mini-program member API",
  "version": "1.0.0",
  "description": "The member JSON API for a mall's WeChat mini-program (issue 22): sign-in by wx.login code (code2Session), binding by SMS code once, then the member's own card, points, purchases, coupons and rewards. Amounts are integer fen; errors are JSON naming the field and the rule."
 },
 "servers": [
  {
   "url": "/api/m/v1"
  }
 ],
 "paths": {
  "/session": {
   "post": {
    "summary": "Sign in with a wx.login code (code2Session)",
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "code"
        ],
        "properties": {
         "code": {
          "type": "string",
          "minLength": 1,
          "maxLength": 128,
          "description": "the wx.login code"
         },
         "appid": {
          "type": "string",
          "description": "the mini-program's appid (required when more than one is configured)"
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SignIn"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Error"
     },
     "429": {
      "$ref": "#/components/responses/Error"
     },
     "502": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "delete": {
    "summary": "Sign out (ends this session token)",
    "responses": {
     "204": {
      "description": "Signed out"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/session/sms-code": {
   "post": {
    "summary": "Send an SMS code to the member's phone (first sign-in)",
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "bindToken",
         "phone"
        ],
        "properties": {
         "bindToken": {
          "type": "string"
         },
         "phone": {
          "type": "string",
          "pattern": "^1[3-9][0-9]{9}$"
         }
        }
       }
      }
     }
    },
    "responses": {
     "202": {
      "description": "Code sent (phones of non-members get the same answer, no SMS)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SMSSent"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Error"
     },
     "429": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/session/bind": {
   "post": {
    "summary": "Bind the WeChat identity to the member with the SMS code; answers a session token",
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "bindToken",
         "phone",
         "code"
        ],
        "properties": {
         "bindToken": {
          "type": "string"
         },
         "phone": {
          "type": "string"
         },
         "code": {
          "type": "string",
          "maxLength": 12
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SignIn"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Error"
     },
     "429": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/me": {
   "get": {
    "summary": "The signed-in member",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/MemberSummary"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/card": {
   "get": {
    "summary": "The card: QR payload, tier, points, expiring points, progress",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Card"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/points": {
   "get": {
    "summary": "Points balance and ledger page (newest first)",
    "parameters": [
     {
      "name": "page",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Points"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/purchases": {
   "get": {
    "summary": "Purchases page (newest first)",
    "parameters": [
     {
      "name": "page",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Purchases"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/purchases/{id}": {
   "get": {
    "summary": "One of the member's purchases (404 for anyone else's)",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PurchaseDetail"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/coupons": {
   "get": {
    "summary": "The member's coupons",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Coupons"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/coupons/{code}": {
   "get": {
    "summary": "One of the member's coupons (404 for anyone else's)",
    "parameters": [
     {
      "name": "code",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "maxLength": 64
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Coupon"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/subscriptions": {
   "post": {
    "summary": "What wx.requestSubscribeMessage answered: each accept allows one more WeChat subscription message of that template (22c)",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": ["results"],
        "properties": {
         "results": {
          "type": "object",
          "description": "templateId → accept | reject | ban | filter (1 to 50 templates)",
          "additionalProperties": {"type": "string", "enum": ["accept", "reject", "ban", "filter"]}
         }
        }
       }
      }
     }
    },
    "responses": {
     "200": {"description": "The member's counts for the mall's templates named; templates the mall has not configured are listed in ignored",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscriptions"}}}},
     "400": {"$ref": "#/components/responses/Error"},
     "401": {"$ref": "#/components/responses/Error"},
     "409": {"$ref": "#/components/responses/Error"}
    }
   },
   "get": {
    "summary": "The member's subscription counts per template (22c)",
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscriptions"}}}},
     "401": {"$ref": "#/components/responses/Error"},
     "409": {"$ref": "#/components/responses/Error"}
    }
   }
  },
  "/rewards": {
   "get": {
    "summary": "Rewards with whether the member may redeem each now, and why not",
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Rewards"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/events": {
   "get": {
    "summary": "The member's event invitations (as /m/events), soonest first",
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "required": ["items"],
      "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/EventInvitation"}}}}}}},
     "401": {"$ref": "#/components/responses/Error"}
    }
   }
  },
  "/events/{id}/rsvp": {
   "post": {
    "summary": "Accept or decline an invitation (a full event waitlists); 404 for an event the member was not invited to",
    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}],
    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["accept"],
     "properties": {"accept": {"type": "boolean"}}}}}},
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventInvitation"}}}},
     "401": {"$ref": "#/components/responses/Error"},
     "404": {"$ref": "#/components/responses/Error"},
     "422": {"$ref": "#/components/responses/Error"}
    }
   }
  },
  "/rewards/{id}/redeem": {
   "post": {
    "summary": "Redeem a reward for the signed-in member (Store.redeem, as at the desk); a retry with the same Idempotency-Key replays",
    "parameters": [
     {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}},
     {"name": "Idempotency-Key", "in": "header", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 100}}
    ],
    "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object",
     "properties": {"listPriceFen": {"type": "integer", "format": "int64", "description": "the chosen gift's list price, for a ladder item"}}}}}},
    "responses": {
     "201": {"description": "Redeemed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Redemption"}}}},
     "200": {"description": "Replay of the first answer for this Idempotency-Key", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Redemption"}}}},
     "401": {"$ref": "#/components/responses/Error"},
     "404": {"$ref": "#/components/responses/Error"},
     "409": {"$ref": "#/components/responses/Error"},
     "422": {"$ref": "#/components/responses/Error"}
    }
   }
  }
 },
 "components": {
  "schemas": {
   "EventInvitation": {
    "type": "object",
    "required": ["id", "code", "type", "title", "startsAt", "endsAt", "place", "rsvpDeadline", "eventStatus", "status", "checkedIn"],
    "properties": {
     "id": {"type": "integer", "format": "int64"}, "code": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"},
     "startsAt": {"type": "string", "format": "date-time"}, "endsAt": {"type": "string", "format": "date-time"}, "place": {"type": "string"},
     "rsvpDeadline": {"type": "string", "format": "date-time"}, "eventStatus": {"type": "string"},
     "status": {"type": "string", "description": "the invitation: invited, accepted, waitlisted, declined …"},
     "answeredAt": {"type": "string", "format": "date-time"}, "checkedIn": {"type": "boolean"}
    }
   },
   "Redemption": {
    "type": "object",
    "required": ["id", "status", "item", "itemName", "kind", "points", "pointsBalance", "businessDate"],
    "properties": {
     "id": {"type": "integer", "format": "int64"}, "status": {"type": "string"}, "item": {"type": "string"},
     "itemName": {"type": "string"}, "kind": {"type": "string"}, "points": {"type": "integer", "format": "int64"},
     "pointsBalance": {"type": "integer", "format": "int64"}, "listPriceFen": {"type": "integer", "format": "int64"},
     "couponCode": {"type": "string"}, "cardNo": {"type": "string"}, "businessDate": {"type": "string"}, "voidReason": {"type": "string"}
    }
   },
   "Subscriptions": {
    "type": "object",
    "required": ["subscriptions", "ignored"],
    "properties": {
     "subscriptions": {"type": "array", "items": {"type": "object", "required": ["templateId", "remaining", "acceptedTotal", "lastResult"],
      "properties": {"templateId": {"type": "string"}, "remaining": {"type": "integer"}, "acceptedTotal": {"type": "integer"},
       "lastResult": {"type": "string"}}}},
     "ignored": {"type": "array", "items": {"type": "string"}}
    }
   },
   "Name": {
    "type": "object",
    "properties": {
     "zh": {
      "type": "string"
     },
     "en": {
      "type": "string"
     }
    },
    "required": [
     "zh",
     "en"
    ]
   },
   "MemberSummary": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "name": {
      "type": "string"
     },
     "cardNo": {
      "type": "string",
      "nullable": true
     },
     "tier": {
      "type": "string"
     },
     "tierName": {
      "$ref": "#/components/schemas/Name"
     },
     "pointsBalance": {
      "type": "integer",
      "format": "int64"
     }
    },
    "required": [
     "id",
     "name",
     "tier",
     "tierName",
     "pointsBalance"
    ]
   },
   "SignIn": {
    "type": "object",
    "properties": {
     "bindingRequired": {
      "type": "boolean"
     },
     "bindToken": {
      "type": "string",
      "description": "sealed, 10 minutes; send to /session/sms-code and /session/bind"
     },
     "bindTokenExpiresAt": {
      "type": "string",
      "format": "date-time"
     },
     "token": {
      "type": "string",
      "description": "the session token: Authorization: Bearer <token>"
     },
     "expiresAt": {
      "type": "string",
      "format": "date-time"
     },
     "member": {
      "$ref": "#/components/schemas/MemberSummary"
     }
    },
    "required": [
     "bindingRequired"
    ]
   },
   "SMSSent": {
    "type": "object",
    "properties": {
     "sent": {
      "type": "boolean"
     },
     "phone": {
      "type": "string",
      "description": "masked, 139****1111"
     }
    },
    "required": [
     "sent",
     "phone"
    ]
   },
   "Card": {
    "type": "object",
    "properties": {
     "member": {
      "$ref": "#/components/schemas/MemberSummary"
     },
     "cardState": {
      "type": "string",
      "nullable": true
     },
     "qrPayload": {
      "type": "string",
      "nullable": true,
      "description": "text to show as a QR code for the cashier; null while no usable card"
     },
     "expiring": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "points": {
         "type": "integer",
         "format": "int64"
        },
        "expiresOn": {
         "type": "string",
         "format": "date"
        }
       },
       "required": [
        "points",
        "expiresOn"
       ]
      }
     },
     "progress": {
      "type": "object",
      "properties": {
       "nextTier": {
        "type": "string"
       },
       "shortfallFen": {
        "type": "integer",
        "format": "int64"
       },
       "months": {
        "type": "integer"
       }
      }
     },
     "discountToday": {
      "$ref": "#/components/schemas/Name"
     }
    },
    "required": [
     "member",
     "expiring"
    ]
   },
   "LedgerItem": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "kind": {
      "type": "string"
     },
     "points": {
      "type": "integer",
      "format": "int64"
     },
     "balanceAfter": {
      "type": "integer",
      "format": "int64"
     },
     "note": {
      "type": "string"
     },
     "at": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "id",
     "kind",
     "points",
     "balanceAfter",
     "note",
     "at"
    ]
   },
   "Points": {
    "type": "object",
    "properties": {
     "balance": {
      "type": "integer",
      "format": "int64"
     },
     "page": {
      "type": "integer"
     },
     "hasMore": {
      "type": "boolean"
     },
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/LedgerItem"
      }
     }
    },
    "required": [
     "balance",
     "page",
     "hasMore",
     "items"
    ]
   },
   "PurchaseItem": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "receiptNo": {
      "type": "string"
     },
     "mall": {
      "type": "string"
     },
     "occurredAt": {
      "type": "string",
      "format": "date-time"
     },
     "businessDate": {
      "type": "string",
      "format": "date"
     },
     "totalFen": {
      "type": "integer",
      "format": "int64"
     },
     "refundedFen": {
      "type": "integer",
      "format": "int64"
     },
     "pointsEarned": {
      "type": "integer",
      "format": "int64"
     },
     "pointsReversed": {
      "type": "integer",
      "format": "int64"
     }
    },
    "required": [
     "id",
     "receiptNo",
     "mall",
     "occurredAt",
     "businessDate",
     "totalFen",
     "refundedFen",
     "pointsEarned",
     "pointsReversed"
    ]
   },
   "Purchases": {
    "type": "object",
    "properties": {
     "page": {
      "type": "integer"
     },
     "hasMore": {
      "type": "boolean"
     },
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/PurchaseItem"
      }
     }
    },
    "required": [
     "page",
     "hasMore",
     "items"
    ]
   },
   "PurchaseDetail": {
    "type": "object",
    "properties": {
     "purchase": {
      "$ref": "#/components/schemas/PurchaseItem"
     },
     "mallName": {
      "type": "string"
     },
     "lines": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "counter": {
         "type": "string"
        },
        "brand": {
         "type": "string"
        },
        "amountFen": {
         "type": "integer",
         "format": "int64"
        },
        "refundedFen": {
         "type": "integer",
         "format": "int64"
        },
        "earnsPoints": {
         "type": "boolean"
        }
       }
      }
     },
     "ledger": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/LedgerItem"
      }
     }
    },
    "required": [
     "purchase",
     "mallName",
     "lines",
     "ledger"
    ]
   },
   "Coupon": {
    "type": "object",
    "properties": {
     "code": {
      "type": "string"
     },
     "name": {
      "$ref": "#/components/schemas/Name"
     },
     "status": {
      "type": "string",
      "enum": [
       "issued",
       "used",
       "void",
       "expired"
      ]
     },
     "minSpendFen": {
      "type": "integer",
      "format": "int64"
     },
     "validFrom": {
      "type": "string",
      "format": "date"
     },
     "validTo": {
      "type": "string",
      "format": "date"
     },
     "counters": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "usedAt": {
      "type": "string",
      "format": "date-time"
     }
    },
    "required": [
     "code",
     "name",
     "status",
     "minSpendFen",
     "validFrom",
     "validTo",
     "counters"
    ]
   },
   "Coupons": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Coupon"
      }
     }
    },
    "required": [
     "items"
    ]
   },
   "Reward": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "code": {
      "type": "string"
     },
     "name": {
      "$ref": "#/components/schemas/Name"
     },
     "kind": {
      "type": "string"
     },
     "pointsRequired": {
      "type": "integer",
      "format": "int64",
      "nullable": true
     },
     "pointsDeducted": {
      "type": "integer",
      "format": "int64"
     },
     "eligible": {
      "type": "boolean"
     },
     "reasons": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "rule": {
         "type": "string"
        },
        "zh": {
         "type": "string"
        },
        "en": {
         "type": "string"
        }
       }
      }
     }
    },
    "required": [
     "id",
     "code",
     "name",
     "kind",
     "pointsDeducted",
     "eligible",
     "reasons"
    ]
   },
   "Rewards": {
    "type": "object",
    "properties": {
     "balance": {
      "type": "integer",
      "format": "int64"
     },
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Reward"
      }
     }
    },
    "required": [
     "balance",
     "items"
    ]
   },
   "Error": {
    "type": "object",
    "properties": {
     "error": {
      "type": "object",
      "properties": {
       "field": {
        "type": "string",
        "nullable": true
       },
       "rule": {
        "type": "string"
       },
       "message": {
        "type": "string"
       },
       "messageZh": {
        "type": "string"
       }
      },
      "required": [
       "rule",
       "message",
       "messageZh"
      ]
     }
    },
    "required": [
     "error"
    ]
   }
  },
  "responses": {
   "Error": {
    "description": "Error naming the field and the rule",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  },
  "securitySchemes": {
   "session": {
    "type": "http",
    "scheme": "bearer",
    "description": "The token from POST /session or /session/bind"
   }
  }
 },
 "security": [
  {
   "session": []
  }
 ]
}
"""#
}
