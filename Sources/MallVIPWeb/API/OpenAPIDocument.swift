import Foundation
import Vapor

/// The OpenAPI 3 description of the POS API. A test walks every /api/v1 route against `paths` and validates real
/// responses against these schemas, so the document cannot drift from the code.
enum OpenAPIDocument {
    static func serve(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: json))
    }

    static let json = """
    {
      "openapi": "3.0.3",
      "info": {"title": "MallVIP POS API", "version": "1.0.0",
               "description": "Member lookup, enrolment, quotes, purchases and refunds for cashier systems. Amounts are integer fen. Writes are idempotent on receiptNo / refundNo."},
      "servers": [{"url": "/"}],
      "security": [{"apiKey": []}],
      "paths": {
        "/api/v1/counters": {"get": {"summary": "Counters (店柜) for POS setup", "operationId": "listCounters",
          "responses": {"200": {"description": "Active counters", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Counter"}}}}},
                        "401": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/members/lookup": {"get": {"summary": "Look a member up by card or phone", "operationId": "lookupMember",
          "parameters": [{"name": "card", "in": "query", "schema": {"type": "string"}}, {"name": "phone", "in": "query", "schema": {"type": "string"}}],
          "responses": {"200": {"description": "The member", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MemberLookup"}}}},
                        "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/members": {"post": {"summary": "Enrol a member", "operationId": "enrolMember",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnrolRequest"}}}},
          "responses": {"201": {"description": "Enrolled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnrolResponse"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                        "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/quotes": {"post": {"summary": "Member prices and points for a cart", "operationId": "quote",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QuoteRequest"}}}},
          "responses": {"200": {"description": "Quote", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QuoteResponse"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/purchases": {"post": {"summary": "Post a purchase (member or non-member)", "operationId": "postPurchase",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseRequest"}}}},
          "responses": {"201": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseResponse"}}}},
                        "200": {"description": "Replay of a receipt already recorded: the first answer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PurchaseResponse"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                        "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/refunds": {"post": {"summary": "Refund part or all of a receipt", "operationId": "postRefund",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefundRequest"}}}},
          "responses": {"201": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefundResponse"}}}},
                        "200": {"description": "Replay", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefundResponse"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                        "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "security": [],
          "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
      },
      "components": {
        "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "An API key from `mallvip apikey create`"}},
        "responses": {"Error": {"description": "Error naming the field and the rule", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["rule", "message", "messageZh"],
            "properties": {"field": {"type": "string", "nullable": true}, "rule": {"type": "string"}, "message": {"type": "string"}, "messageZh": {"type": "string"}}}}},
          "Counter": {"type": "object", "required": ["code", "name", "brand", "category", "floor", "mall", "department", "departmentName", "participatesInDiscount", "earnsPoints"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "brand": {"type": "string"}, "category": {"type": "string"},
              "floor": {"type": "string"}, "mall": {"type": "string"}, "department": {"type": "string"}, "departmentName": {"type": "string"},
              "participatesInDiscount": {"type": "boolean"}, "earnsPoints": {"type": "boolean"}}},
          "MemberLookup": {"type": "object", "required": ["tier", "tierName", "points", "displayName", "title", "birthdayToday"],
            "properties": {"cardNo": {"type": "string", "nullable": true}, "tier": {"type": "string"}, "tierName": {"type": "string"},
              "points": {"type": "integer", "format": "int64"}, "displayName": {"type": "string", "description": "masked, e.g. 张*"},
              "title": {"type": "string"}, "birthdayToday": {"type": "boolean"}}},
          "EnrolRequest": {"type": "object", "required": ["phone", "name"],
            "properties": {"phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"}, "name": {"type": "string", "minLength": 1, "maxLength": 50},
              "gender": {"type": "string", "enum": ["female", "male", "unknown"]}, "birthday": {"type": "string", "format": "date"},
              "idNumber": {"type": "string"}, "email": {"type": "string"}, "receipts": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
              "cardNo": {"type": "string", "description": "an issued-inactive card to activate"}, "consentSms": {"type": "boolean"}, "consentEmail": {"type": "boolean"}}},
          "EnrolResponse": {"type": "object", "required": ["memberId", "cardNo", "tier", "tierName", "points", "rule"],
            "properties": {"memberId": {"type": "integer", "format": "int64"}, "cardNo": {"type": "string"}, "tier": {"type": "string"},
              "tierName": {"type": "string"}, "points": {"type": "integer", "format": "int64"}, "rule": {"type": "string"}}},
          "PurchaseLine": {"type": "object", "required": ["counter", "amountFen"],
            "properties": {"counter": {"type": "string"}, "amountFen": {"type": "integer", "format": "int64", "minimum": 1, "description": "fen actually paid"},
              "specialPrice": {"type": "boolean", "description": "特价: no member discount, still earns points"}}},
          "PurchaseRequest": {"type": "object", "required": ["receiptNo", "occurredAt", "lines"],
            "properties": {"receiptNo": {"type": "string", "minLength": 1, "maxLength": 64}, "occurredAt": {"type": "string", "format": "date-time", "description": "ISO 8601 with offset"},
              "card": {"type": "string"}, "phone": {"type": "string"},
              "lines": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"$ref": "#/components/schemas/PurchaseLine"}}}},
          "PurchaseResponse": {"type": "object", "required": ["receiptNo", "mall", "businessDate", "member", "totalFen", "eligibleFen", "factorPermille", "pointsEarned", "basePoints", "bonusPoints", "multipliers", "tierChanged", "eligibleToEnrol"],
            "properties": {"receiptNo": {"type": "string"}, "mall": {"type": "string"}, "businessDate": {"type": "string", "format": "date"}, "member": {"type": "boolean"},
              "cardNo": {"type": "string", "nullable": true}, "totalFen": {"type": "integer", "format": "int64"},
              "eligibleFen": {"type": "integer", "format": "int64", "description": "the part of totalFen that earns points"},
              "factorPermille": {"type": "integer", "description": "points multiplier applied, per mille (2000 = double)"},
              "pointsEarned": {"type": "integer", "format": "int64"}, "basePoints": {"type": "integer", "format": "int64"}, "bonusPoints": {"type": "integer", "format": "int64"},
              "multipliers": {"type": "array", "items": {"type": "string"}}, "pointsBalance": {"type": "integer", "format": "int64", "nullable": true},
              "tier": {"type": "string", "nullable": true}, "previousTier": {"type": "string", "nullable": true}, "tierChanged": {"type": "boolean"},
              "tierApprovalRequested": {"type": "string", "nullable": true}, "eligibleToEnrol": {"type": "boolean", "description": "non-member whose receipt meets the enrolment rule"}}},
          "RefundRequest": {"type": "object", "required": ["refundNo", "receiptNo", "lines"],
            "properties": {"refundNo": {"type": "string", "minLength": 1, "maxLength": 64}, "receiptNo": {"type": "string", "minLength": 1, "maxLength": 64},
              "lines": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["counter", "amountFen"],
                "properties": {"counter": {"type": "string"}, "amountFen": {"type": "integer", "format": "int64", "minimum": 1}}}}}},
          "RefundResponse": {"type": "object", "required": ["refundNo", "receiptNo", "refundedFen", "pointsReversed", "tierChanged", "cardDeactivated"],
            "properties": {"refundNo": {"type": "string"}, "receiptNo": {"type": "string"}, "refundedFen": {"type": "integer", "format": "int64"},
              "pointsReversed": {"type": "integer", "format": "int64"}, "pointsBalance": {"type": "integer", "format": "int64", "nullable": true},
              "tier": {"type": "string", "nullable": true}, "tierChanged": {"type": "boolean"}, "cardDeactivated": {"type": "boolean"}}},
          "QuoteRequest": {"type": "object", "required": ["lines"],
            "properties": {"card": {"type": "string"}, "phone": {"type": "string"}, "occurredAt": {"type": "string", "format": "date-time"},
              "lines": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["counter", "amountFen"],
                "properties": {"counter": {"type": "string"}, "amountFen": {"type": "integer", "format": "int64", "minimum": 1},
                  "specialPrice": {"type": "boolean"}, "counterPromotionPermille": {"type": "integer", "minimum": 1, "maximum": 1000}}}}}},
          "QuoteResponse": {"type": "object", "required": ["member", "lines", "payableFen", "pointsEarned", "basePoints", "bonusPoints", "multipliers"],
            "properties": {"member": {"type": "boolean"}, "tier": {"type": "string", "nullable": true}, "payableFen": {"type": "integer", "format": "int64"},
              "pointsEarned": {"type": "integer", "format": "int64"}, "basePoints": {"type": "integer", "format": "int64"}, "bonusPoints": {"type": "integer", "format": "int64"},
              "multipliers": {"type": "array", "items": {"type": "string"}},
              "lines": {"type": "array", "items": {"type": "object", "required": ["counter", "amountFen", "memberDiscountPermille", "payableFen"],
                "properties": {"counter": {"type": "string"}, "amountFen": {"type": "integer", "format": "int64"}, "memberDiscountPermille": {"type": "integer"}, "payableFen": {"type": "integer", "format": "int64"}}}}}}
        }
      }
    }
    """
}
